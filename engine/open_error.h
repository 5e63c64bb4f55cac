// Describing why opening a file or socket failed, so that running out of descriptors is named as
// such rather than surfacing as "cannot read config.pbtxt".
#pragma once

#include <string>

namespace inferd {

// strerror(error_number), plus for EMFILE/ENFILE what ran out and what to do about it.
std::string DescribeOpenError(int error_number);

}  // namespace inferd
