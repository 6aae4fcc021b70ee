package io.harmonia.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.harmonia.projection.ListQuery;

/** The paging fields of a list answer: total (and whether it is exact), limit, offset, next_cursor. */
final class ListPages {
    private ListPages() {}

    static ObjectNode withPaging(ObjectNode o, ListQuery.Page<?> page, Paging paging) {
        o.put("total", page.total()).put("total_exact", page.totalExact()).put("limit", paging.limit())
                .put("offset", paging.offset());
        if (page.next() == null) {
            o.putNull("next_cursor");
        } else {
            o.put("next_cursor", page.next().encode());
        }
        return o;
    }
}
