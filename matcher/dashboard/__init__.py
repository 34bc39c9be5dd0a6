"""The staff dashboard (数据看板): aggregates over needs, matches, leads and services."""
