"""The local page (``jbsys-xl serve``, documents.md §8): a door for 信创 and WPS users, who have
neither Excel nor xlwings, over the same pipeline, documents and 金保 import as the CLI.

Nothing here computes money or creates a Check: the page takes uploads, calls the functions the
CLI calls, and shows or sends back what they return.
"""
