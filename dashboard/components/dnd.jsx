// Drag and drop for the pipeline board, on @dnd-kit/core.
// DndBoard holds the drag context and reports a drop as onMove(applicationId, stageId, fromStageId);
// DropColumn marks a stage's column as a drop target; DragCard makes a card draggable
// by mouse, by touch (press and hold, so a swipe still scrolls) or keyboard (focus its handle, Space to lift, arrows to go column by column,
// Space to drop, Escape to cancel), told to screen readers by the candidate's and stage's names.
import React from "react";
import {
  DndContext,
  KeyboardSensor,
  MouseSensor,
  TouchSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from "@dnd-kit/core";

// The click a pointer drag ends with must not follow the link under the pointer (the
// candidate's name): dnd-kit stops that click reaching React, but not the browser's own
// navigation, so a card dragged by its name opened the application instead of moving.
// Set while a card is dragged, so that the Escape cancelling the drag (dnd-kit's pointer sensor
// does not mark it handled) is not the page's Escape too (keys.jsx: it clears the selection).
// Cleared after the key's other listeners have run: dnd-kit ends the drag before they hear it.
function draggingEnds() {
  setTimeout(() => { window.assayDragging = false; }, 0);
}

function swallowTheClosingClick() {
  const swallow = (event) => event.preventDefault();
  document.addEventListener("click", swallow, { capture: true });
  setTimeout(() => document.removeEventListener("click", swallow, { capture: true }), 50);
}

// Left and right arrows carry a lifted card to the next column, not 25 pixels at a time
// (dnd-kit's keyboard sensor scrolls a scrollable board instead of moving the card once
// the card passes its middle, which left the card over another column than the one
// announced); a column out of sight is scrolled into view first. The column it heads for
// is kept here rather than read back from where the card is drawn, which lags a fast key press.
let keyboardColumn = null;

// Where a card lifted by keyboard is drawn: the target column's place less the card's own
// column's place, both read at once, so the board's sideways scroll cancels out. dnd-kit
// adds the scroll to its own transform when its scroll listener catches up, and now and
// then counted it twice, drawing the card a column-width beyond the edge it was scrolled to.
let keyboardLift = null; // { applicationId, x, y }

function columnsOf(context) {
  return context.droppableContainers
    .getEnabled()
    .filter((container) => container.node.current)
    .map((container) => ({
      stageId: container.data.current?.stageId,
      node: container.node.current,
      rect: container.node.current.getBoundingClientRect(),
    }))
    .sort((a, b) => a.rect.left - b.rect.left);
}

// The card's place inside its own column, read before it moves: the card stays in that
// column's markup while it is carried, only drawn elsewhere.
function startingPlace(context) {
  const card = context.activeNode;
  const home = card && columnsOf(context).find((column) => column.node.contains(card));
  if (!home) return null;
  const rect = card.getBoundingClientRect();
  return { home: home.node, x: rect.left - home.rect.left, y: rect.top - home.rect.top };
}

function nextColumn(context, step, start) {
  const columns = columnsOf(context);
  const from = keyboardColumn ?? context.active?.data.current?.stageId;
  const next = columns[columns.findIndex((column) => column.stageId === from) + step];
  const card = context.activeNode?.getBoundingClientRect();
  if (!next || !card) return null;
  keyboardColumn = next.stageId;
  bringIntoView(next.node);
  const rect = next.node.getBoundingClientRect();
  const home = start.home.getBoundingClientRect();
  const x = rect.left + (rect.width - card.width) / 2;
  const y = rect.top + 8;
  keyboardLift = {
    applicationId: context.active?.data.current?.applicationId,
    x: x - (home.left + start.x),
    y: y - (home.top + start.y),
  };
  return { x, y };
}

// A column beyond the board's edge is scrolled into sight (sideways only: the page stays
// where it is), so the card carried to it stays in view.
function bringIntoView(column) {
  const board = column.parentElement;
  const edge = board.getBoundingClientRect();
  const rect = column.getBoundingClientRect();
  const margin = 12;
  if (rect.right > edge.right) board.scrollLeft += rect.right - edge.right + margin;
  else if (rect.left < edge.left) board.scrollLeft -= edge.left - rect.left + margin;
}

// Set while a card is carried by keyboard: its arrows are the carry's, not the board's.
let carriedByKeyboard = false;

// The controls a card has, each found again in the card the arrows go to.
const CARD_CONTROLS = ["[role='checkbox']", "a[href]", "[aria-roledescription='draggable card']"];

// Up and down go to the same control in the card above or below; left and right to the stage
// beside that has cards, its card at the same height (or its last). Reaching a column's tenth
// card took forty Tabs. The "Move to" button keeps its own arrows (down opens its menu).
function goByArrow(event) {
  const step = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] }[event.key];
  if (!step || carriedByKeyboard || event.defaultPrevented) return;
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const control = CARD_CONTROLS.find((selector) => event.target.matches?.(selector));
  const card = event.target.closest?.("[data-application-id]");
  const column = card?.closest(".pipeline-column");
  if (!control || !column) return;
  const cardsOf = (node) => [...node.querySelectorAll("[data-application-id]")];
  const place = cardsOf(column).indexOf(card);
  let goal = null;
  if (step[1]) {
    goal = cardsOf(column)[place + step[1]];
  } else {
    const columns = [...column.parentElement.querySelectorAll(":scope > .pipeline-column")];
    for (let i = columns.indexOf(column) + step[0]; i >= 0 && i < columns.length; i += step[0]) {
      const cards = cardsOf(columns[i]);
      if (cards.length) {
        goal = cards[Math.min(place, cards.length - 1)];
        break;
      }
    }
  }
  event.preventDefault(); // the focus moves, not the page (at an edge, nothing moves)
  goal?.querySelector(control)?.focus();
  if (goal && step[0]) sayPlace(goal);
}

// Said once the arrows have crossed into another stage: a screen reader reads the control the
// focus lands on (the candidate's name), not the column it is in, nor how far down.
function sayPlace(card) {
  const column = card.closest(".pipeline-column");
  const region = document.getElementById("board-arrow-place");
  if (!column || !region) return;
  const cards = [...column.querySelectorAll("[data-application-id]")];
  region.textContent = `${column.dataset.dropStageName}: card ${cards.indexOf(card) + 1} of ${cards.length}`;
}

class ColumnByColumnKeyboardSensor extends KeyboardSensor {
  // dnd-kit starts listening for the next keys after a timeout, so that the Space which
  // lifted the card does not drop it at once; a busy browser runs key presses before
  // timers, and an arrow pressed just after Space was lost. Listen at once, passing over
  // the lifting key itself.
  attach() {
    const lifting = this.props.event;
    carriedByKeyboard = true;
    this.handleStart();
    this.windowListeners.add("resize", this.handleCancel);
    this.windowListeners.add("visibilitychange", this.handleCancel);
    this.listeners.add("keydown", (event) => {
      if (event !== lifting) this.handleKeyDown(event);
    });
  }

  detach() {
    carriedByKeyboard = false;
    super.detach();
  }

  handleKeyDown(event) {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.code];
    const context = this.props.context.current;
    if (!step) {
      super.handleKeyDown(event); // Space or Enter drops, Escape cancels; up and down do nothing
      return;
    }
    event.preventDefault();
    if (!this.referenceCoordinates) {
      this.start = startingPlace(context);
      if (!context.collisionRect || !this.start) return;
      this.referenceCoordinates = { x: context.collisionRect.left, y: context.collisionRect.top };
    }
    const target = nextColumn(context, step, this.start);
    if (target) {
      this.handleMove(event, {
        x: target.x - this.referenceCoordinates.x,
        y: target.y - this.referenceCoordinates.y,
      });
    }
  }
}

const cardName = (active) => active?.data.current?.label || "The card";
const stageName = (over) => over?.data.current?.stageName || "a stage";

// What a screen reader hears: the candidate and the stage, never the components' ids.
const announcements = {
  onDragStart: ({ active }) =>
    `Picked up ${cardName(active)}. Left and right arrows go to another stage, Space drops, Escape cancels.`,
  onDragOver: ({ active, over }) =>
    over ? `${cardName(active)} is over ${stageName(over)}.` : `${cardName(active)} is over no stage.`,
  onDragEnd: ({ active, over }) =>
    over ? `${cardName(active)} dropped on ${stageName(over)}.` : `${cardName(active)} dropped outside the stages; not moved.`,
  onDragCancel: ({ active }) => `Moving ${cardName(active)} was cancelled.`,
};
const screenReaderInstructions = {
  draggable:
    "To move this candidate, press Space. Then the left and right arrows go from stage to stage; " +
    "Space drops the card on the stage, Escape cancels.",
};

// A card moved by keyboard lands in another column as a new element: focus follows it there.
let refocusAfterMove = null;

// The same for a card moved by its "Move to" menu, a stage picked by keyboard: the menu is a
// portal outside the card, and the focus it would give back to the card's button fell to the
// page's top, the button gone with the old card. So the board notes the card control the
// keyboard was last on (kept while in a menu it opened, dropped once elsewhere), and a card
// leaving its column with the focus lost hands that control to the card drawn in the new one.
let lastCardControl = null; // { applicationId, label }
let focusToFollow = null;

function noteCardControl(event) {
  const card = event.target.closest?.("[data-application-id]");
  if (card) {
    lastCardControl = { applicationId: card.dataset.applicationId, label: event.target.getAttribute("aria-label") };
    return;
  }
  // Kept only in the menu that card opened (the focus came from the card, or from the menu's
  // own items): a menu opened elsewhere ("Move selected to") is not emptied by a colleague
  // moving that card, and once the viewer is anywhere else (a search box) nothing is taken.
  const from = event.relatedTarget;
  const fromThatCard =
    lastCardControl && from?.closest?.("[data-application-id]")?.dataset.applicationId === lastCardControl.applicationId;
  const inItsMenu = event.target.closest?.("[role='menu']") && (fromThatCard || from?.closest?.("[role='menu']"));
  if (!inItsMenu) {
    lastCardControl = null;
    focusToFollow = null;
  }
}

// A card's "Move to" menu is part of the card: a colleague's move draws the card anew in another
// column, and the menu open on the old one closes under the recruiter's pointer. The board is
// told which card's menu closed so, and from which column, and says why (set while it is drawn).
let reportMenuClosedWithCard = null;

function forgetCardControlOnClickElsewhere(event) {
  // A click on the page's background sends the focus to the body without a focusin: the card
  // control noted before must not be taken up by a colleague's move of that card minutes later.
  if (!event.target.closest?.("[data-application-id], [role='menu']")) {
    lastCardControl = null;
    focusToFollow = null;
  }
}

// dnd-kit names the stage it last found the card over. Now and then, on a busy machine, it had
// none at the release though the column under the pointer was outlined a moment before (a board
// drawn anew under the held card), and the card "dropped outside the stages". A mouse or finger
// released over a column drops the card there.
let lastPointer = null; // where the pointer or finger is while a card is held: { x, y }
const notePointer = (event) => {
  const at = event.touches?.[0] ?? event;
  lastPointer = { x: at.clientX, y: at.clientY };
};

function columnUnderPointer({ activatorEvent }) {
  if (activatorEvent instanceof KeyboardEvent || !lastPointer) return null; // a key press: no pointer
  const { x, y } = lastPointer;
  const column = [...document.querySelectorAll("[data-drop-stage-id]")].find((node) => {
    const rect = node.getBoundingClientRect();
    return x >= rect.left && x <= rect.right && y >= rect.top && y <= rect.bottom;
  });
  if (!column) return null;
  const stageId = Number(column.dataset.dropStageId);
  return { id: `stage-${stageId}`, data: { current: { stageId, stageName: column.dataset.dropStageName } } };
}

// The stage of the card being dragged when it was lifted (``onMove``'s fromStageId).
let liftedFrom = null;

export function DndBoard({ onMove, onMenuClosedWithCard, children, ...rest }) {
  // A mouse drags once it moves; a finger only after a press held still (a quarter second),
  // so that a swipe over the cards scrolls the board as it would anywhere else on a phone.
  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 6 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 250, tolerance: 8 } }),
    useSensor(ColumnByColumnKeyboardSensor, { coordinateGetter: () => undefined }),
  );
  const onDragEnd = (event) => {
    swallowTheClosingClick();
    event.over = event.over || columnUnderPointer(event); // the announcement reads it next
    const { active, over, activatorEvent } = event;
    if (!over || !active) return;
    const applicationId = active.data.current?.applicationId;
    const stageId = over.data.current?.stageId;
    // The stage the card was lifted from, not the one it is drawn in now: a colleague's move (or
    // a rule's advance) during a drag redraws the card in its new column, whose stage dnd-kit then
    // reports, and the drop undid their move unrefused (helper-122).
    const fromStageId = liftedFrom ?? active.data.current?.stageId;
    liftedFrom = null;
    if (applicationId && stageId && stageId !== fromStageId && onMove) {
      if (activatorEvent instanceof KeyboardEvent) {
        refocusAfterMove = applicationId;
        setTimeout(() => { if (refocusAfterMove === applicationId) refocusAfterMove = null; }, 10000);
      }
      onMove(applicationId, stageId, fromStageId);
    }
  };
  // A layout effect: its cleanup, the board leaving the page, runs before its cards' own, so a
  // menu open as one navigates away is not reported.
  const onMenuClosed = React.useRef(onMenuClosedWithCard);
  onMenuClosed.current = onMenuClosedWithCard;
  React.useLayoutEffect(() => {
    reportMenuClosedWithCard = (applicationId, seenIn) => onMenuClosed.current?.(applicationId, seenIn);
    return () => { reportMenuClosedWithCard = null; };
  }, []);
  React.useEffect(() => {
    document.addEventListener("focusin", noteCardControl);
    document.addEventListener("pointerdown", forgetCardControlOnClickElsewhere);
    for (const kind of ["pointerdown", "pointermove", "touchmove"]) {
      document.addEventListener(kind, notePointer, { capture: true, passive: true });
    }
    return () => {
      document.removeEventListener("focusin", noteCardControl);
      document.removeEventListener("pointerdown", forgetCardControlOnClickElsewhere);
      for (const kind of ["pointerdown", "pointermove", "touchmove"]) {
        document.removeEventListener(kind, notePointer, { capture: true });
      }
    };
  }, []);
  return (
    <DndContext
      sensors={sensors}
      onDragStart={({ active }) => {
        keyboardColumn = null; keyboardLift = null; window.assayDragging = true;
        liftedFrom = active.data.current?.stageId ?? null;
      }}
      onDragEnd={(event) => { draggingEnds(); onDragEnd(event); }}
      onDragCancel={() => { liftedFrom = null; draggingEnds(); swallowTheClosingClick(); }}
      accessibility={{ announcements, screenReaderInstructions }}
    >
      <div onKeyDown={goByArrow} {...rest}>
        {children}
        <div id="board-arrow-place" className="sr-only" aria-live="polite" aria-atomic="true"></div>
      </div>
    </DndContext>
  );
}

export function DropColumn({ stageId, stageName, children, style, ...rest }) {
  const { isOver, setNodeRef } = useDroppable({ id: `stage-${stageId}`, data: { stageId, stageName } });
  const outline = isOver ? { outline: "2px dashed var(--accent-9)", outlineOffset: "2px" } : {};
  return (
    <div ref={setNodeRef} data-drop-over={isOver ? "true" : "false"} data-drop-stage-id={stageId}
      data-drop-stage-name={stageName} style={{ ...style, ...outline }} {...rest}>
      {children}
    </div>
  );
}

// Six dots, the usual sign of something to drag.
function GripIcon() {
  return (
    <svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">
      {[5, 12, 19].map((y) => [9, 15].map((x) => <circle key={`${x}-${y}`} cx={x} cy={y} r="1.6" />))}
    </svg>
  );
}

const handleStyle = {
  position: "absolute",
  right: "8px",
  bottom: "8px",
  display: "inline-flex",
  padding: "4px",
  border: "none",
  borderRadius: "4px",
  background: "transparent",
  color: "var(--gray-10)",
  cursor: "grab",
};

// The whole card follows the pointer; the keyboard lifts it by its handle, a button of its
// own in the card's corner. Were the card itself the focusable "draggable" element, its
// checkbox, link and menu would be controls nested inside another control, which screen
// readers announce badly (axe: nested-interactive).
export function DragCard({ applicationId, stageId, label, disabled, children, style, ...rest }) {
  const handle = React.useRef(null);
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, isDragging } = useDraggable({
    id: `application-${applicationId}`,
    data: { applicationId, stageId, label },
    disabled: Boolean(disabled),
  });
  React.useEffect(() => {
    if (refocusAfterMove === applicationId && handle.current) {
      refocusAfterMove = null;
      handle.current.focus();
    }
  }, [applicationId]);
  const card = React.useRef(null);
  const stageIdNow = React.useRef(stageId);
  stageIdNow.current = stageId;
  // A layout effect's cleanup runs before React takes the old card off the page, and the new
  // card's effect just after, in the same commit.
  React.useLayoutEffect(() => {
    const node = card.current;
    const id = String(applicationId);
    if (node && focusToFollow?.applicationId === id) {
      const label = focusToFollow.label;
      focusToFollow = null;
      [...node.querySelectorAll("[aria-label]")].find((control) => control.getAttribute("aria-label") === label)?.focus();
    }
    return () => {
      const report = reportMenuClosedWithCard;
      if (report && node?.querySelector("[aria-haspopup='menu'][data-state='open']")) {
        const seenIn = stageIdNow.current;
        setTimeout(() => report(applicationId, seenIn), 0);
      }
      const focused = document.activeElement;
      const lost = !focused || focused === document.body || node?.contains(focused) || focused.closest("[role='menu']");
      if (lost && lastCardControl?.applicationId === id && lastCardControl.label) {
        focusToFollow = lastCardControl;
        setTimeout(() => { if (focusToFollow?.applicationId === id) focusToFollow = null; }, 10000);
      }
    };
  }, [applicationId]);
  const setCardRefs = (element) => {
    card.current = element;
    setNodeRef(element);
  };
  const setHandleRefs = (element) => {
    handle.current = element;
    setActivatorNodeRef(element);
  };
  const place = isDragging && keyboardLift?.applicationId === applicationId ? keyboardLift : transform;
  const moved = place ? { transform: `translate3d(${place.x}px, ${place.y}px, 0)`, zIndex: 20 } : {};
  return (
    <div
      ref={setCardRefs}
      data-application-id={applicationId}
      style={{ ...style, ...moved, position: "relative", opacity: isDragging ? 0.85 : 1, touchAction: "manipulation" }}
      onMouseDown={disabled ? undefined : listeners?.onMouseDown}
      onTouchStart={disabled ? undefined : listeners?.onTouchStart}
      {...rest}
    >
      {children}
      {disabled ? null : (
        <button
          type="button"
          ref={setHandleRefs}
          style={handleStyle}
          {...attributes}
          onKeyDown={listeners?.onKeyDown}
          aria-label={`Drag ${label}`}
          aria-roledescription="draggable card"
        >
          <GripIcon />
        </button>
      )}
    </div>
  );
}
