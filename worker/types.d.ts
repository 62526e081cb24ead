/// <reference types="@cloudflare/workers-types" />
// @cloudflare/workers-types declares TextEncoder.encode as returning Uint8Array<ArrayBufferLike>;
// workerd returns a Uint8Array over a plain ArrayBuffer, which is what the core's (DOM-typed)
// signatures say. This overload lets the core type-check under Workers types unchanged.
interface TextEncoder {
  encode(input?: string): Uint8Array<ArrayBuffer>
}
