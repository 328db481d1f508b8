"""The window's controllers: each keeps a part of the window in step with the state,
its workers and its widgets (annotation, corpus view, jobs, projects, review,
suggestions, training, auto-retrain, pieces overlay, timekeeper). Widgets, item
models and dialogs stay in their own packages; the main window composes them."""
