// Reads one sample out of a Prometheus text exposition, as the metrics tests scrape it.
#pragma once

#include <string>

namespace inferd::testing {

// The value of the sample line "name{labels} value" whose series is exactly `series`, or -1 when
// the exposition `text` has no such line.
double MetricValue(const std::string& text, const std::string& series);

}  // namespace inferd::testing
