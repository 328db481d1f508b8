"""The Qt-free heart of nerstudio: project file, spans, formats, training, inference."""
