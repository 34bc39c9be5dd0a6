"""HTTP plumbing shared by every router: errors, dependencies, metrics, pagination."""
