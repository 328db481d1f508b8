"""The PySide6 desktop window. Imports core; core never imports this package."""
