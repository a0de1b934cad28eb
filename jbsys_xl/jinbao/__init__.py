"""The 金保 import and the 12333 callbacks (金保 contract, ``shared/spec/jinbao-import.md``).

Entry points for every door (command line, Excel buttons):

- :func:`.importer.run_import` — exports → :class:`.importer.ImportResult` (nothing written);
  :func:`.output.import_workbook_bytes` / :func:`.output.import_json` write it.
- :func:`.callbacks.draw_callbacks` — the 12333 sample → :class:`.callbacks.CallbackDraw`;
  :func:`.callbacks.callback_workbook_bytes` / :func:`.callbacks.callback_json` write it.
"""
