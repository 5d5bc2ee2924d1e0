"""The main window's pages: one per step of the flow (Connect, Import, Review, Send, Results) plus History.

How a page plugs in (see `base.Page`):

- A page is a `Page` subclass built as `SomePage(session)`. `session` (`app.ui.session.Session`) is the only
  thing it is given: settings, profiles, secrets, `session.pool` (run every slow job there through
  `app.ui.workers.run_in_background`), and the current connection, balance and catalog.
- It learns that the shared state changed by connecting to the session's signals in its constructor:
  `connection_changed` (another profile, or none), `account_changed` (balance or catalog refreshed),
  `settings_changed`. Later steps add their own state to the session the same way: an attribute plus a
  past-tense signal (for example `import_changed` when a workbook has been read), emitted by the page that
  produced it. Pages never call each other.
- It says whether its step is done with `self.set_complete(True | False)`; the window enables step N+1 only
  while steps 1..N are all complete, and moves back to the first incomplete step when the current one is
  disabled. Going back is always possible. `self.next_requested.emit()` asks to move on (after a success the
  user expects to be followed by the next step); `self.status_posted.emit(text)` shows a short message in
  the status bar.
- The window calls `page_entered()` each time the page is shown, `confirm_close()` before the app quits
  (return False to keep it open: the Send page asks and pauses a run), then `shut_down()` (cancel your
  background jobs; the app waits for the pool before it closes the connection), and `save_view_state(store)` /
  `restore_view_state(store)` with a QSettings already in the page's own group (splitters, column widths).
- Workbooks reach the Import page two ways: Ctrl+O goes to Import and clicks `ImportPage.open_button`; a
  workbook named on the command line waits in `session.requested_workbook`, and the window shows Import as
  soon as Connect is done (the Import page opens it in `page_entered()` and sets it back to None).
- Widgets carry accessible names; every action has a keyboard route. No business rules in a page: it calls
  the core and shows what comes back.
"""
