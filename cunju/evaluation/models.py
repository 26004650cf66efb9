"""Democratic evaluation of members (民主评议党员): the annual round, votes and grades."""
