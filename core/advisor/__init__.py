"""The decision-matrix advisor: which model and effort a prompt wants, and the guard rails before money is spent."""
