/* SPDX-License-Identifier: MIT */
/*
 * Fuzz the date parsers (RFC 6265 §5.1.1 cookie dates, HTTP-dates, Retry-After, curl's
 * free-form -z dates). A date that parses is in range, and formatting it as an IMF-fixdate
 * parses back to itself.
 */
#include <stdlib.h>

#include "codec/date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t t, u, d;
    char out[30];

    if (date_parse(span_of(data, size), &t, NULL) == 0) {
        if (t < INT64_C(-11644473600) || t > DATE_MAX)
            abort();
        if (t >= 0) {
            date_format(t, out);
            if (date_parse(span_str(out), &u, NULL) != 0 || u != t)
                abort();
        }
    }
    if (date_parse_loose(span_of(data, size), &t, NULL) == 0) {
        /* from 1583-01-01 less the widest zone (+1400) to DATE_MAX */
        if (t < INT64_C(-12212553600) - 14 * 3600 || t > DATE_MAX)
            abort();
        if (t >= 0) {
            date_format(t, out);
            if (date_parse_loose(span_str(out), &u, NULL) != 0 || u != t)
                abort();
        }
    }
    if (date_retry_after(span_of(data, size), 784111777, &d, NULL) == 0 && (d < 0 || d > DATE_MAX))
        abort();
    return 0;
}
