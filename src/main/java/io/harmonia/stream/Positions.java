package io.harmonia.stream;

import io.harmonia.eventstore.FeedPosition;

/** Orders positions of the global feed: by transaction id (an unsigned 64-bit xid8), then global position. */
public final class Positions {
    private Positions() {}

    public static int compare(FeedPosition a, FeedPosition b) {
        int byTx = Long.compareUnsigned(Long.parseUnsignedLong(a.txId()), Long.parseUnsignedLong(b.txId()));
        return byTx != 0 ? byTx : Long.compare(a.globalPosition(), b.globalPosition());
    }
}
