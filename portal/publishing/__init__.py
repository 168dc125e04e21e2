"""The public website: snapshot, Markdown writer, build, swap; in development it is served by the app."""
