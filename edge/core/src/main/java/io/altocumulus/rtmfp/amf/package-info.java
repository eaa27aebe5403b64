/**
 * AMF0 and AMF3 (Adobe AMF0 and AMF3 specifications) as used by NetConnection/NetStream
 * messages (RTMFP-WIRE §8.2, §8.4) and by the Lua bridge (CUMULUS-FEATURES §5.16–5.17).
 *
 * <p>Value model (the same for both encodings):
 *
 * <ul>
 *   <li>null → {@code null}; undefined (and AMF0 "unsupported") → {@link Amf#UNDEFINED}
 *   <li>boolean → {@link Boolean}; AMF0 number / AMF3 double → {@link Double}; AMF3 integer →
 *       {@link Integer} (29-bit signed)
 *   <li>string (AMF0 string and long string, AMF3 string) → {@link String}
 *   <li>date → {@link AmfDate}; XML → {@link AmfXml}; ByteArray → {@code byte[]}
 *   <li>object (anonymous, typed, AMF3 sealed/dynamic/externalizable) → {@link AmfObject}
 *   <li>AMF0 ECMA array, AMF0 strict array, AMF3 array → {@link AmfArray} (a strict array has
 *       only a dense part)
 *   <li>AMF3 Dictionary → {@link AmfDictionary}; AMF3 Vector.&lt;T&gt; → {@link AmfVector}
 * </ul>
 *
 * <p>Containers compare by identity (as AMF references do); use {@link Amf#deepEquals} for a
 * structural, cycle-safe comparison. Readers throw only {@code WireException(MALFORMED_AMF)};
 * writers throw {@link IllegalArgumentException} for values they cannot encode.
 */
package io.altocumulus.rtmfp.amf;
