// Placeholder: dependency checks land with the launcher.
