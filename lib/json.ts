/**
 * A deep copy of a plain JSON value, as the API server would store it (a field set to undefined is dropped).
 * Objects from the API are plain JSON, and for them a JSON round trip is faster than structuredClone.
 */
export const jsonCopy = <V>(value: V): V => (value === undefined ? value : (JSON.parse(JSON.stringify(value)) as V));
