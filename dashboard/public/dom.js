// DOM helpers of the dashboard pages. Elements are built with textContent only, never innerHTML: everything shown
// comes from the API and may hold any text.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/**
 * A new element: `className` sets the class, every other attribute is set as given (undefined or null ones are left
 * out), and `text` becomes its text content.
 */
export function el(tag, attrs = {}, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'className') node.className = v;
    else if (v !== undefined && v !== null) node.setAttribute(k, v);
  }
  if (text !== undefined) node.textContent = text;
  return node;
}
