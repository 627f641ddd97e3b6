# Shared build settings and the two helpers every part uses:
#   woolly_module(<path> [DEPS ...])  -> static library woolly_<path, / as _> from
#                                        src/<path>/*.cpp and src/<path>/detail/*.cpp
#   woolly_test(<path> [DEPS ...])    -> test binary <path, / as _>_test from tests/<path>/*.cpp,
#                                        each GoogleTest case registered with ctest; extra
#                                        ctest PROPERTIES (e.g. FIXTURES_REQUIRED) pass through

set(WOOLLY_WARNINGS -Wall -Wextra -Wno-missing-field-initializers)

if(WOOLLY_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(WOOLLY_SANITIZE=1)
endif()

find_package(Threads REQUIRED)

function(woolly_module path)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  string(REPLACE "/" "_" _name "${path}")
  file(GLOB _srcs CONFIGURE_DEPENDS
       ${CMAKE_SOURCE_DIR}/src/${path}/*.cpp
       ${CMAKE_SOURCE_DIR}/src/${path}/detail/*.cpp)
  list(FILTER _srcs EXCLUDE REGEX ".*/main\\.cpp$")
  add_library(woolly_${_name} STATIC ${_srcs})
  target_include_directories(woolly_${_name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_compile_options(woolly_${_name} PRIVATE ${WOOLLY_WARNINGS})
  target_link_libraries(woolly_${_name} PUBLIC ${ARG_DEPS} Threads::Threads PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

include(GoogleTest)
find_package(GTest REQUIRED)

function(woolly_test path)
  cmake_parse_arguments(ARG "" "TIMEOUT" "DEPS;PROPERTIES" ${ARGN})
  string(REPLACE "/" "_" _name "${path}")
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${path}/*.cpp)
  add_executable(${_name}_test ${_srcs})
  target_compile_options(${_name}_test PRIVATE ${WOOLLY_WARNINGS})
  target_include_directories(${_name}_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${_name}_test PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${_name}_test PRIVATE
    WOOLLY_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    WOOLLY_SHARED_DIR="${CMAKE_SOURCE_DIR}/../shared"
    WOOLLY_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(${_name}_test DISCOVERY_MODE PRE_TEST
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS ${_name} ${ARG_PROPERTIES})
endfunction()

# Adds every listed sub-folder of the current source dir that has a CMakeLists.txt.
macro(woolly_subdirs)
  foreach(_sub ${ARGN})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${_sub}/CMakeLists.txt)
      add_subdirectory(${_sub})
    endif()
  endforeach()
endmacro()
