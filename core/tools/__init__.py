"""Client tools the models use on the user's project: the text editor, bash, plan steps."""
