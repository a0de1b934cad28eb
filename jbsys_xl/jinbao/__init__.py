"""The 金保 import and the 12333 callbacks (金保 contract, ``shared/spec/jinbao-import.md``).

Entry points for every door (command line, Excel buttons):

- :func:`.importer.run_import` — exports → :class:`.importer.ImportResult` (nothing written);
  :func:`.output.import_workbook_bytes` / :func:`.output.import_json` write it.
- :func:`.callbacks.draw_callbacks` — the 12333 sample, its 台账抽查 and its record →
  :class:`.callbacks.CallbackDraw`; :func:`.callbacks.callback_workbook_bytes` /
  :func:`.callbacks.callback_json` write it.
- :func:`.callback_results.read_results` — filled-in lists → 回访 rows without personal data;
  :func:`.callback_results.results_workbook_bytes` / :func:`.callback_results.results_json`
  write them, :func:`.callback_results.merge_plan` says which rows of a 回访 sheet they replace.
"""
