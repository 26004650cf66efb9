"""Turning uploaded files into pages: what a file is (``sniff``), office files to PDF with
LibreOffice kept warm (``office`` and its ``listener``), the pages of a PDF or a text file
with their text and preview images (``pages`` and its child ``pagework``), files put in
place all or nothing (``store``), and why a file is refused or fails (``errors``).

The pipeline that strings these together is ``cunju.library.pipeline``.
"""
