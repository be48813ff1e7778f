// Putting the rows of an admin inline in order — agenda items, handouts, attendees, seats,
// measures: rows whose number (順序, 番号, 席次, 並び順) is held unique. Drag a row by its handle
// (⠿), or press its 「上へ」「下へ」 buttons (keyboard: Tab to them, Enter or Space); the number
// inputs are rewritten and the server saves the new order in one go, however the numbers trade
// places (onechoice.services.records_save_reordered). The number inputs stay as they are, so
// without JavaScript any permutation typed by hand saves too.
//
// Rows are reordered among the rows of their group only: handouts per 種別 (資料1, 2 … and
// 参考資料1, 2 …), seats per side. The group field is named by the number input's
// data-ordering attribute (OrderedInlineMixin in onechoice/admin_tools.py).
//
// Why not django-admin-sortable2: it replaces the number input with a hidden one (nothing to
// type without JavaScript), renumbers the whole inline 1…N (which breaks numbering per 種別
// and per side), needs every parent admin to derive from its SortableAdminBase and replaces
// Django's inline template; its move buttons cannot be reached by keyboard.
//
// A file and not an inline script, for the Content Security Policy. Styles are set through the
// DOM (element.style), which the policy allows, so the controls need no stylesheet.
"use strict";
(function () {
    const ROW = "tr.form-row";

    function orderInput(row) {
        return row.querySelector("input[data-ordering]");
    }

    function isSortable(row) {
        return row instanceof HTMLElement && row.matches(ROW) && !row.classList.contains("empty-form")
            && orderInput(row) !== null;
    }

    function groupOf(row) {
        const field = orderInput(row).dataset.ordering;
        if (!field) { return ""; }
        const cell = row.querySelector("td.field-" + field);
        if (!cell) { return ""; }
        const control = cell.querySelector("select, input");
        return control ? control.value : cell.textContent.trim();
    }

    // The rows of ``row``'s table and group, in page order.
    function groupRows(row) {
        const group = groupOf(row);
        return Array.from(row.parentNode.children).filter(function (r) {
            return isSortable(r) && groupOf(r) === group;
        });
    }

    function numberOf(row) {
        const value = orderInput(row).value.trim();
        return /^\d+$/.test(value) ? parseInt(value, 10) : null;
    }

    // A new row gets the number after the last of its group (the person may type another);
    // until they do, choosing another group (資料 → 参考資料) numbers it in that group.
    function numberNext(row) {
        const input = orderInput(row);
        if (input.value.trim() !== "" && row.dataset.numberedByScript !== "1") { return; }
        const others = groupRows(row).filter(function (r) { return r !== row; }).map(numberOf)
            .filter(function (n) { return n !== null; });
        input.value = String(others.length ? Math.max.apply(null, others) + 1 : 1);
        row.dataset.numberedByScript = "1";
        input.addEventListener("input", function () { row.dataset.numberedByScript = ""; }, { once: true });
    }

    // A row and the line of its errors above it, which travels with it.
    function unit(row) {
        const above = row.previousElementSibling;
        return above && above.classList.contains("row-form-errors") ? [above, row] : [row];
    }

    function place(row, reference, before) {
        const nodes = unit(row);
        const anchor = before ? unit(reference)[0] : reference.nextSibling;
        nodes.forEach(function (node) { row.parentNode.insertBefore(node, anchor); });
    }

    // After a drag: the group's numbers, smallest first, in the rows' new order (the same
    // numbers as before, so 資料 numbers stay 1, 2, 3 and a gap stays a gap). Rows without a
    // number (a new row not filled in yet) keep theirs empty.
    function renumber(rows) {
        const numbers = rows.map(numberOf).filter(function (n) { return n !== null; });
        numbers.sort(function (a, b) { return a - b; });
        rows.forEach(function (row) {
            if (numberOf(row) !== null) { orderInput(row).value = String(numbers.shift()); }
        });
    }

    // 上へ / 下へ: the row changes places, and numbers, with its neighbour in the group.
    function step(row, delta) {
        const rows = groupRows(row);
        const other = rows[rows.indexOf(row) + delta];
        if (!other) { return false; }
        place(row, other, delta < 0);
        const mine = orderInput(row);
        const theirs = orderInput(other);
        const value = mine.value;
        mine.value = theirs.value;
        theirs.value = value;
        return true;
    }

    // -- what the user sees and hears --------------------------------------------------------

    let liveRegion = null;

    function announce(row) {
        if (liveRegion === null) {
            liveRegion = document.createElement("div");
            liveRegion.setAttribute("aria-live", "polite");
            liveRegion.className = "ordering-status";
            Object.assign(liveRegion.style, {
                position: "absolute", width: "1px", height: "1px", overflow: "hidden",
                clip: "rect(0 0 0 0)", whiteSpace: "nowrap",
            });
            document.body.appendChild(liveRegion);
        }
        const input = orderInput(row);
        const name = input.name.split("-").pop();
        const header = row.closest("table").querySelector("th.column-" + name);
        const field = header ? header.textContent.trim() : "";
        const original = row.querySelector("td.original p");
        const label = original && original.firstChild ? original.firstChild.textContent.trim() : "";
        const text = field + "を " + input.value + " にしました。";
        liveRegion.textContent = label ? "「" + label + "」の" + text : text;
    }

    function button(step, text, label) {
        const element = document.createElement("button");
        element.type = "button";
        element.className = "ordering-move";
        element.dataset.step = step;
        element.textContent = text;
        element.title = label;
        element.setAttribute("aria-label", label);
        Object.assign(element.style, {
            fontSize: "0.7rem", lineHeight: "1", padding: "2px 4px", marginLeft: "2px", cursor: "pointer",
        });
        return element;
    }

    function addControls(row) {
        if (!isSortable(row) || row.querySelector(".ordering-controls")) { return; }
        const input = orderInput(row);
        const controls = document.createElement("span");
        controls.className = "ordering-controls";
        controls.style.whiteSpace = "nowrap";
        const handle = document.createElement("span");
        handle.className = "ordering-handle";
        handle.textContent = "⠿";
        handle.title = "ドラッグして並べ替え";
        handle.setAttribute("aria-hidden", "true");  // keyboard users have the buttons
        Object.assign(handle.style, {
            cursor: "grab", padding: "0 4px", fontSize: "1.1em", userSelect: "none", touchAction: "none",
        });
        controls.append(handle, button("up", "▲", "上へ"), button("down", "▼", "下へ"));
        input.after(controls);
        input.closest("td").style.whiteSpace = "nowrap";
    }

    // The first row of a group cannot go up, the last cannot go down (aria-disabled, not
    // disabled: a disabled button would lose the keyboard focus).
    function refresh(tbody) {
        Array.from(tbody.children).filter(isSortable).forEach(function (row) {
            const rows = groupRows(row);
            const index = rows.indexOf(row);
            row.querySelectorAll("button.ordering-move").forEach(function (element) {
                const blocked = element.dataset.step === "up" ? index === 0 : index === rows.length - 1;
                element.setAttribute("aria-disabled", blocked ? "true" : "false");
                element.style.opacity = blocked ? "0.35" : "";
            });
        });
    }

    // -- dragging (pointer events: mouse, pen and touch alike) --------------------------------

    let drag = null;

    function startDrag(event) {
        const handle = event.target.closest(".ordering-handle");
        if (!handle || event.button !== 0) { return; }
        const row = handle.closest(ROW);
        if (!isSortable(row)) { return; }
        event.preventDefault();
        handle.setPointerCapture(event.pointerId);
        drag = { row: row, group: groupOf(row) };
        handle.style.cursor = "grabbing";
        row.style.opacity = "0.6";
        row.style.outline = "2px dashed #417690";
    }

    function moveDrag(event) {
        if (drag === null) { return; }
        const hit = document.elementFromPoint(event.clientX, event.clientY);
        const target = hit && hit.closest(ROW);
        if (!target || target === drag.row || target.parentNode !== drag.row.parentNode
            || !isSortable(target) || groupOf(target) !== drag.group) {
            return;
        }
        const box = target.getBoundingClientRect();
        place(drag.row, target, event.clientY < box.top + box.height / 2);
    }

    function endDrag() {
        if (drag === null) { return; }
        const row = drag.row;
        drag = null;
        row.style.opacity = "";
        row.style.outline = "";
        row.querySelector(".ordering-handle").style.cursor = "grab";
        const before = orderInput(row).value;
        renumber(groupRows(row));
        refresh(row.parentNode);
        if (orderInput(row).value !== before) { announce(row); }
    }

    function init() {
        document.querySelectorAll(ROW).forEach(addControls);
        document.querySelectorAll("input[data-ordering]").forEach(function (input) {
            const row = input.closest(ROW);
            if (row && row.parentNode) { refresh(row.parentNode); }
        });
        document.addEventListener("click", function (event) {
            const element = event.target.closest("button.ordering-move");
            if (!element) { return; }
            event.preventDefault();
            const row = element.closest(ROW);
            if (isSortable(row) && step(row, element.dataset.step === "up" ? -1 : 1)) {
                refresh(row.parentNode);
                announce(row);
            }
            element.focus();  // moving the row took the focus away from the button
        });
        document.addEventListener("pointerdown", startDrag);
        document.addEventListener("pointermove", moveDrag);
        document.addEventListener("pointerup", endDrag);
        document.addEventListener("pointercancel", endDrag);
        document.addEventListener("formset:added", function (event) {
            addControls(event.target);
            if (isSortable(event.target)) { numberNext(event.target); }
            if (event.target.parentNode) { refresh(event.target.parentNode); }
        });
        document.addEventListener("change", function (event) {  // a row moved to another group
            const row = event.target.closest && event.target.closest(ROW);
            if (row && isSortable(row)) {
                if (event.target.matches("select") && row.dataset.numberedByScript === "1") { numberNext(row); }
                refresh(row.parentNode);
            }
        });
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
