"""The Address book view: browse and search contacts, add and edit them, merge duplicates, record
how an address was verified, and mark one "do not email". Every change goes through
services/contacts.py on a worker (the store audits it as the OS user)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.errors import is_known
from desktop_app.ui.a11y import make_accessible
from desktop_app.ui.jobs import JobRunner

if TYPE_CHECKING:
    from desktop_app.services.contacts import ContactBook
    from desktop_app.store.contacts import Contact, ContactAddress
    from desktop_app.store.messages import MessageStore

SEARCH_DELAY_MS = 200


class ContactDialog(QDialog):
    """Add or edit one contact: name, addresses (one per line), organisation, note."""

    def __init__(self, parent: QWidget, contact: Contact | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Edit contact") if contact else self.tr("New contact"))
        self.name = QLineEdit(contact.display_name if contact else "", self)
        self.addresses = QPlainTextEdit("\n".join(a.email for a in contact.addresses) if contact else "", self)
        self.addresses.setTabChangesFocus(True)
        self.organisation = QLineEdit(contact.organisation if contact else "", self)
        self.note = QLineEdit(contact.note if contact else "", self)
        form = QFormLayout(self)
        rows = ((self.tr("&Name"), self.name), (self.tr("&Addresses (one a line)"), self.addresses),
                (self.tr("&Organisation"), self.organisation), (self.tr("No&te"), self.note))  # fmt: skip
        for label, widget in rows:
            form.addRow(label, widget)
            widget.setAccessibleName(label.replace("&", ""))
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.hide()
        form.addRow(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        make_accessible(self)

    def emails(self) -> list[str]:
        return [line.strip() for line in self.addresses.toPlainText().replace(",", "\n").splitlines() if line.strip()]

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


class AddressBookView(QWidget):
    changed = Signal()  # the book changed: the window rebuilds the look-alike index and the autocomplete

    def __init__(self, jobs: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._book: ContactBook | None = None
        self._rows: list[tuple[Contact, ContactAddress]] = []
        self.dialog: QDialog | None = None
        title = QLabel(self.tr("Address book: who each address belongs to, and how it was verified"), self)
        title.setObjectName("viewTitle")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search names, organisations, addresses"))
        self.search.setAccessibleName(self.tr("Search the address book"))
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Address"), self.tr("Verified"),
                                              self.tr("Organisation")])  # fmt: skip
        self.table.setAccessibleName(self.tr("Contacts"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        for number, width in enumerate((200, 300, 240)):
            self.table.setColumnWidth(number, width)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.add_button = self._button(self.tr("New contac&t…"), self.add_contact)
        self.edit_button = self._button(self.tr("&Edit…"), self.edit_selected)
        self.verify_button = self._button(self.tr("Ver&ify…"), self.verify_selected)
        self.merge_button = self._button(self.tr("&Merge selected"), self.merge_selected)
        self.block_button = self._button(self.tr("Do n&ot email"), self.toggle_do_not_email)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.verify_button, self.merge_button, self.block_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column = QVBoxLayout(self)
        column.addWidget(title)
        column.addWidget(self.search)
        column.addWidget(self.table, 1)
        column.addLayout(buttons)
        column.addWidget(self.status)
        self._selection_changed()
        make_accessible(self)

    def _button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.clicked.connect(slot)
        return button

    def set_store(self, store: MessageStore) -> None:
        from desktop_app.services.contacts import ContactBook

        self._book = ContactBook(store)
        self.reload()

    # ------------------------------------------------------------------ reading

    def reload(self) -> None:
        book = self._book
        if book is None:
            return
        text = self.search.text()
        self._jobs.submit(lambda _t: book.search(text), name="address book search", on_result=self._show,
                          on_error=self._failed, owner=self)  # fmt: skip

    def _show(self, contacts: list[Contact]) -> None:
        self._rows = [(c, a) for c in contacts for a in c.addresses] or []
        self.table.setRowCount(len(self._rows))
        for row, (contact, address) in enumerate(self._rows):
            verified = address.verified_how.label if address.verified else self.tr("not verified")
            if address.verified:
                verified += f" ({address.verified_by})"
            if address.do_not_email:
                verified += self.tr(" · do not email")
            if address.bounced_at is not None:
                verified += self.tr(" · bounced")
            for column, text in enumerate((contact.display_name, address.email, verified, contact.organisation)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row)
                self.table.setItem(row, column, item)
        self.status.setText(self.tr("{count} contacts").format(count=len(contacts)))
        self._selection_changed()

    def selected(self) -> list[tuple[Contact, ContactAddress]]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self._rows[r] for r in rows if r < len(self._rows)]

    def _selection_changed(self) -> None:
        chosen = self.selected()
        one = len(chosen) == 1
        for button in (self.edit_button, self.verify_button, self.block_button):
            button.setEnabled(one)
        self.merge_button.setEnabled(len({c.id for c, _ in chosen}) > 1)
        if one:
            self.block_button.setText(self.tr("May email ag&ain") if chosen[0][1].do_not_email
                                      else self.tr("Do n&ot email"))  # fmt: skip

    # ------------------------------------------------------------------ changing

    def _change(self, action: Callable[[ContactBook], Any], done: str, dialog: ContactDialog | None = None) -> None:
        book = self._book
        if book is None:
            return

        def finished(_result: object) -> None:
            if dialog is not None:
                dialog.accept()
            self.status.setText(done)
            self.reload()
            self.changed.emit()

        def failed(error: BaseException) -> None:
            words = str(error) if is_known(error) else self.tr("The address book could not be changed.")
            if dialog is not None:
                dialog.show_error(words)
            else:
                self.status.setText(words)

        self._jobs.submit(lambda _t: action(book), name="address book change", on_result=finished,
                          on_error=failed, owner=self)  # fmt: skip

    def add_contact(self) -> None:
        dialog = ContactDialog(self)
        self._open(dialog, lambda: self._change(
            lambda book: book.add(dialog.name.text(), dialog.emails(), organisation=dialog.organisation.text(),
                                  note=dialog.note.text()), self.tr("Contact added."), dialog))  # fmt: skip

    def edit_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1:
            return
        contact = chosen[0][0]
        dialog = ContactDialog(self, contact)

        def save(book: ContactBook) -> None:
            book.edit(contact.id, display_name=dialog.name.text().strip(),
                      organisation=dialog.organisation.text().strip(), note=dialog.note.text().strip())  # fmt: skip
            wanted = {e.casefold(): e for e in dialog.emails()}
            have = {a.email.casefold(): a.email for a in contact.addresses}
            for key, email in wanted.items():
                if key not in have:
                    book.add_address(contact.id, email)
            for key, email in have.items():
                if key not in wanted:
                    book.remove_address(contact.id, email)

        self._open(dialog, lambda: self._change(save, self.tr("Contact saved."), dialog))

    def _open(self, dialog: ContactDialog, save: Callable[[], None]) -> None:
        """Save keeps the dialog open until the change is stored (a refusal is shown in it)."""
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        box.accepted.disconnect()
        box.accepted.connect(save)
        self.dialog = dialog
        dialog.open()

    def verify_selected(self) -> None:
        chosen = self.selected()
        if len(chosen) != 1:
            return
        address = chosen[0][1]
        dialog = QDialog(self)
        dialog.setWindowTitle(self.tr("Verify {address}").format(address=address.email))
        how = QComboBox(dialog)
        hows = (("phone", self.tr("By phone")), ("in-person", self.tr("In person")), ("ehr", self.tr("From the EHR")),
                ("reply", self.tr("By a reply")), ("directory", self.tr("From a directory import")))  # fmt: skip
        for value, label in hows:
            how.addItem(label, value)
        how.setAccessibleName(self.tr("How was it confirmed"))
        form = QFormLayout(dialog)
        form.addRow(QLabel(self.tr("How did you confirm with the person that {address} is theirs?")
                           .format(address=address.email), dialog))  # fmt: skip
        form.addRow(self.tr("&How"), how)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Record it"))
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        make_accessible(dialog)

        def record() -> None:
            from desktop_app.store.contacts import Verification

            chosen_how = Verification(how.currentData())
            self._change(lambda book: book.verify(address.email, chosen_how),
                         self.tr("{address} verified.").format(address=address.email))  # fmt: skip

        dialog.accepted.connect(record)
        self.dialog = dialog
        dialog.open()

    def merge_selected(self) -> None:
        ids = list(dict.fromkeys(c.id for c, _ in self.selected()))
        if len(ids) > 1:
            self._change(lambda book: book.merge(ids[0], ids[1:]),
                         self.tr("{count} contacts merged into one.").format(count=len(ids)))  # fmt: skip

    def toggle_do_not_email(self) -> None:
        chosen = self.selected()
        if len(chosen) == 1:
            address = chosen[0][1]
            flag = not address.do_not_email
            self._change(lambda book: book.set_do_not_email(address.email, flag),
                         self.tr("{address}: do not email.").format(address=address.email) if flag
                         else self.tr("{address} may be emailed again.").format(address=address.email))  # fmt: skip

    def _failed(self, error: BaseException) -> None:
        self.status.setText(str(error) if is_known(error) else self.tr("The address book could not be read."))
