"""Mobile members (流动党员) and transfers of the organizational relation (组织关系转接)."""
