"""One module per `segue` subcommand, each loaded only when that command runs."""
