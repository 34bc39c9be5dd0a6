"""One module per page; each has ``page(state, user)``. ``navigation`` lists them per role."""
