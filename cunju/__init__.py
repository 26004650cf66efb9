"""cunju (村居): a platform for rural community Party organizations and their residents."""
