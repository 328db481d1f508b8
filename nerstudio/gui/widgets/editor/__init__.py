"""The annotation editor: wrapped text, entities in label colors with captions, the model's
suggestions and sub-word pieces, and a token-snapped selection driven by mouse or keyboard.

``widget`` holds the editor (content, selection, mouse input, and the order the layers
paint in); ``keys`` its keys and what each does; each layer paints one thing: ``gold``,
``suggestions``, ``pieces``, ``selection``.
``captions`` places gold and suggestion captions alike; ``geometry`` maps offsets to the
viewport; ``frame`` is what one paint hands every layer; ``banner`` shows notices;
``paragraphs`` cuts the text Qt holds into paragraphs of bounded length.
"""

from nerstudio.gui.widgets.editor.selection import SELECTION_COLOR
from nerstudio.gui.widgets.editor.widget import DRAG_THRESHOLD, AnnotationEditor

__all__ = ["DRAG_THRESHOLD", "SELECTION_COLOR", "AnnotationEditor"]
