"""Views registered with the window by name: the navigation list, the page stack and the View menu.

A feature adds its view with :meth:`ViewRegistry.add` under a name (``"compose"``, ``"status"``…)
and a shortcut of its own. Navigation, shortcuts, badges and "show that view" calls all go by
name, so a view inserted anywhere (``before="status"``) moves no other view's shortcut or target:
rows are an implementation detail of the list widget, never an address.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6 import QtCore
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QMenu, QStackedWidget, QWidget

# Qt's namespace of enums is not named before the first paint: building it costs PySide ~30 ms, about
# a fifth of a bare window's whole start. Roles are plain ints to Qt; the test pins them to the enums.
NAME_ROLE = 0x0100  # Qt.ItemDataRole.UserRole
SCROLL_BAR_ALWAYS_OFF = 1  # Qt.ScrollBarPolicy.ScrollBarAlwaysOff, set as a property (the setter takes the enum only)


@dataclass
class View:
    name: str
    title: str
    item: QListWidgetItem
    action: QAction
    page: QWidget | None = None
    focus: Callable[[], QWidget | None] | None = None  # what a shortcut puts the keyboard on


class ViewRegistry(QObject):
    """The window's views by name. A page may arrive after its entry (the views are built after the
    first paint); until then choosing it shows nothing new."""

    shown = Signal(str)  # the name of the view now on screen

    def __init__(self, window: QWidget, navigation: QListWidget, pages: QStackedWidget, menu: QMenu) -> None:
        super().__init__(window)
        self._window = window
        self._navigation = navigation
        self._pages = pages
        self._menu = menu
        self._views: dict[str, View] = {}
        navigation.setProperty("horizontalScrollBarPolicy", SCROLL_BAR_ALWAYS_OFF)  # the titles always fit
        navigation.currentRowChanged.connect(self._row_changed)
        navigation.itemSelectionChanged.connect(self._selected)

    def add(self, name: str, title: str, page: QWidget | None = None, *, shortcut: str = "",
            menu_text: str | None = None, before: str | None = None,
            focus: Callable[[], QWidget | None] | None = None) -> View:  # fmt: skip
        """Register a view; ``before`` names the view it goes in front of (default: last)."""
        if name in self._views:
            raise ValueError(f"a view named {name!r} is already registered")
        item = QListWidgetItem(title)
        item.setData(NAME_ROLE, name)
        action = QAction(menu_text or f"&{title}", self._window)
        if shortcut:  # a list of one: setShortcut's overloads make PySide build the Qt namespace, setShortcuts' do not
            action.setShortcuts([QKeySequence(shortcut)])
        action.triggered.connect(lambda: self.show(name))
        self._window.addAction(action)
        following = self._views[before] if before is not None else None
        if following is not None:
            self._navigation.insertItem(self._navigation.row(following.item), item)
            self._menu.insertAction(following.action, action)
        else:
            self._navigation.addItem(item)
            following_action = self._after_last_view()
            if following_action is None:
                self._menu.addAction(action)
            else:
                self._menu.insertAction(following_action, action)
        self._fit_titles()
        view = View(name, title, item, action, focus=focus)
        self._views[name] = view
        if self._navigation.currentRow() < 0:
            self._navigation.setCurrentRow(0)
        if page is not None:
            self.set_page(name, page)
        return view

    def _after_last_view(self) -> QAction | None:
        """The menu entry after the views' block (new views join the block, not the menu's end)."""
        actions = self._menu.actions()
        mine = [i for i, a in enumerate(actions) if any(a is v.action for v in self._views.values())]
        following = mine[-1] + 1 if mine else 0
        return actions[following] if following < len(actions) else None

    def set_page(self, name: str, page: QWidget) -> None:
        view = self._views[name]
        view.page = page
        self._pages.addWidget(page)
        if self.current() == name:
            self._pages.setCurrentWidget(page)

    def _fit_titles(self) -> None:
        """Wide enough for every title (Spanish ones are longer), never narrower than the design's."""
        nav = self._navigation
        widest = max((nav.fontMetrics().horizontalAdvance(nav.item(r).text()) for r in range(nav.count())), default=0)
        nav.setFixedWidth(max(nav.width(), widest + 56))  # the items' padding and margins (themes/*.qss)

    def show(self, name: str, focus: QWidget | None = None) -> None:
        """Put view ``name`` on screen; the keyboard goes to ``focus``, else to the view's own focus."""
        view = self._views[name]
        self._navigation.setCurrentItem(view.item)
        target = focus if focus is not None else (view.focus() if view.focus is not None else None)
        if target is not None:
            target.setFocus()

    def current(self) -> str | None:
        item = self._navigation.currentItem()
        return str(item.data(NAME_ROLE)) if item is not None else None

    def view(self, name: str) -> View:
        return self._views[name]

    @property
    def names(self) -> list[str]:
        """In navigation order."""
        return [str(self._navigation.item(row).data(NAME_ROLE)) for row in range(self._navigation.count())]

    @property
    def actions(self) -> list[QAction]:
        return [view.action for view in self._views.values()]

    def set_badge(self, name: str, badge: str = "", spoken: str = "") -> None:
        """A mark after the view's title (``⚠ 2``) and what a screen reader says for it."""
        view = self._views[name]
        view.item.setText(f"{view.title}  {badge}" if badge else view.title)
        view.item.setData(QtCore.Qt.ItemDataRole.AccessibleTextRole,
                          f"{view.title}, {spoken}" if spoken else view.title)  # fmt: skip

    def _selected(self) -> None:
        """A screen reader chooses a view by selecting its item (AT-SPI Selection, or the item's
        "Toggle" action), which moves the selection but not the current row: follow it."""
        chosen = self._navigation.selectedItems()
        if len(chosen) == 1 and chosen[0] is not self._navigation.currentItem():
            self._navigation.setCurrentItem(chosen[0])

    def _row_changed(self, row: int) -> None:
        item = self._navigation.item(row)
        if item is None:
            return
        name = str(item.data(NAME_ROLE))
        page = self._views[name].page
        if page is not None:
            self._pages.setCurrentWidget(page)
        self.shown.emit(name)
