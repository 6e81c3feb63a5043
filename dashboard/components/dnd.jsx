// Drag and drop for the pipeline board, on @dnd-kit/core.
// DndBoard holds the drag context and reports a drop as onMove(applicationId, stageId);
// DropColumn marks a stage's column as a drop target; DragCard makes a card draggable
// by pointer or keyboard (focus the handle, Space to lift, arrows to move, Space to drop).
import React from "react";
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useDraggable,
  useDroppable,
  useSensor,
  useSensors,
} from "@dnd-kit/core";

// The click a pointer drag ends with must not follow the link under the pointer (the
// candidate's name): dnd-kit stops that click reaching React, but not the browser's own
// navigation, so a card dragged by its name opened the application instead of moving.
function swallowTheClosingClick() {
  const swallow = (event) => event.preventDefault();
  document.addEventListener("click", swallow, { capture: true });
  setTimeout(() => document.removeEventListener("click", swallow, { capture: true }), 50);
}

export function DndBoard({ onMove, children, ...rest }) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor),
  );
  const onDragEnd = (event) => {
    swallowTheClosingClick();
    const { active, over } = event;
    if (!over || !active) return;
    const applicationId = active.data.current?.applicationId;
    const stageId = over.data.current?.stageId;
    const fromStageId = active.data.current?.stageId;
    if (applicationId && stageId && stageId !== fromStageId && onMove) {
      onMove(applicationId, stageId);
    }
  };
  return (
    <DndContext sensors={sensors} onDragEnd={onDragEnd} onDragCancel={swallowTheClosingClick}>
      <div {...rest}>{children}</div>
    </DndContext>
  );
}

export function DropColumn({ stageId, children, style, ...rest }) {
  const { isOver, setNodeRef } = useDroppable({ id: `stage-${stageId}`, data: { stageId } });
  const outline = isOver ? { outline: "2px dashed var(--accent-9)", outlineOffset: "2px" } : {};
  return (
    <div ref={setNodeRef} data-drop-over={isOver ? "true" : "false"} style={{ ...style, ...outline }} {...rest}>
      {children}
    </div>
  );
}

export function DragCard({ applicationId, stageId, label, children, style, ...rest }) {
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({
    id: `application-${applicationId}`,
    data: { applicationId, stageId },
  });
  const moved = transform
    ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)`, zIndex: 20, position: "relative" }
    : {};
  return (
    <div
      ref={setNodeRef}
      style={{ ...style, ...moved, opacity: isDragging ? 0.85 : 1, touchAction: "none" }}
      {...listeners}
      {...attributes}
      aria-label={label ? `Drag ${label}` : undefined}
      aria-roledescription="draggable card"
      {...rest}
    >
      {children}
    </div>
  );
}
