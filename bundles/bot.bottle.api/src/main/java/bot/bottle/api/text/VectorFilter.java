package bot.bottle.api.text;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vectorised filter of {@link LiteralSet}: compares a vector of text bytes (and the vector one byte
 * further) against each leading byte (pair) at once. Only loaded when the incubator module is present.
 */
final class VectorFilter {
    private static final VectorSpecies<Byte> S = ByteVector.SPECIES_PREFERRED;

    private final byte[] lead;
    private final byte[] second; // null: single-byte filter

    VectorFilter(byte[] lead, byte[] second) {
        this.lead = lead;
        this.second = second;
    }

    static boolean usable() {
        return S.length() >= 16;
    }

    /**
     * First p in [from, limit) where lead (and second at p + 1) match, found with whole vectors; or, when
     * there is none up to where whole vectors end, {@code -2 - i}: the caller's scalar loop goes on from i.
     */
    int next(byte[] b, int from, int limit) {
        final int vl = S.length();
        final byte[] c0 = lead;
        final byte[] c1 = second;
        int i = from;
        if (c1 == null) {
            for (int last = b.length - vl; i <= last && i < limit; i += vl) {
                ByteVector a = ByteVector.fromArray(S, b, i);
                VectorMask<Byte> m = a.eq(c0[0]);
                for (int k = 1; k < c0.length; k++) {
                    m = m.or(a.eq(c0[k]));
                }
                if (m.anyTrue()) {
                    int p = i + m.firstTrue();
                    return p < limit ? p : -1;
                }
            }
            return i < limit ? -2 - i : -1;
        }
        for (int last = b.length - vl - 1; i <= last && i < limit; i += vl) {
            ByteVector a = ByteVector.fromArray(S, b, i);
            ByteVector n = ByteVector.fromArray(S, b, i + 1);
            VectorMask<Byte> m = a.eq(c0[0]).and(n.eq(c1[0]));
            for (int k = 1; k < c0.length; k++) {
                m = m.or(a.eq(c0[k]).and(n.eq(c1[k])));
            }
            if (m.anyTrue()) {
                int p = i + m.firstTrue();
                return p < limit ? p : -1;
            }
        }
        return i < limit ? -2 - i : -1;
    }
}
