// React.memo that compares props by value, for components fed from Reflex state.
// Every state delta arrives as fresh JSON, so each object prop is a new object even when
// nothing in it changed; comparing by identity would re-render every card on the board
// whenever anything on the job changed. Primitives compare with Object.is, objects and
// arrays by their JSON.
import { memo } from "react";

function sameValue(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

function sameProps(previous, next) {
  const keys = Object.keys(previous);
  return keys.length === Object.keys(next).length && keys.every((key) => sameValue(previous[key], next[key]));
}

export function memoByValue(component) {
  return memo(component, sameProps);
}
