# FindxxHash.cmake: xxHash (Debian libxxhash-dev) as the imported target
# xxHash::xxhash, its header and its shared library, for gorewind's build and
# for projects that link the installed gorewind::gorewind (gorewindConfig.cmake
# finds it again). The library, not the header alone, because on x86 it picks
# the CPU's widest vectors at run time.
find_path(xxHash_INCLUDE_DIR xxhash.h)
find_library(xxHash_LIBRARY xxhash)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(xxHash REQUIRED_VARS xxHash_LIBRARY xxHash_INCLUDE_DIR)
if(xxHash_FOUND AND NOT TARGET xxHash::xxhash)
  add_library(xxHash::xxhash UNKNOWN IMPORTED)
  set_target_properties(xxHash::xxhash PROPERTIES IMPORTED_LOCATION "${xxHash_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${xxHash_INCLUDE_DIR}")
endif()
