"""Party dues (党费): monthly amounts by the rules, exemptions, payments, ledgers, arrears."""
