"""The desktop app: Qt widgets, pages, dialogs and the workers that bridge the core to Qt signals."""
