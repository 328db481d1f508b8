"""Team work in the window: the curation mode (annotators' spans side by side, one key per
annotator settles a disagreement), the agreement view, and the annotator's name."""
