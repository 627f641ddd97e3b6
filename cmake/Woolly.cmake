# Shared build settings and the two helpers every part uses:
#   woolly_module(<part> [DEPS ...])  -> library woolly_<part> from src/<part>/**/*.cpp
#   woolly_test(<part> [DEPS ...])    -> test binary <part>_test from tests/<part>/*.cpp, run by ctest

set(WOOLLY_WARNINGS -Wall -Wextra -Wno-missing-field-initializers)

if(WOOLLY_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  add_compile_definitions(WOOLLY_SANITIZE=1)
endif()

find_package(Threads REQUIRED)

function(woolly_module part)
  cmake_parse_arguments(ARG "" "" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB_RECURSE _srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/src/${part}/*.cpp)
  list(FILTER _srcs EXCLUDE REGEX ".*/main\\.cpp$")
  add_library(woolly_${part} STATIC ${_srcs})
  target_include_directories(woolly_${part} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_compile_options(woolly_${part} PRIVATE ${WOOLLY_WARNINGS})
  target_link_libraries(woolly_${part} PUBLIC ${ARG_DEPS} Threads::Threads PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

include(GoogleTest)
find_package(GTest REQUIRED)

function(woolly_test part)
  cmake_parse_arguments(ARG "" "TIMEOUT" "DEPS" ${ARGN})
  file(GLOB _srcs CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/${part}/*.cpp)
  add_executable(${part}_test ${_srcs})
  target_compile_options(${part}_test PRIVATE ${WOOLLY_WARNINGS})
  target_include_directories(${part}_test PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${part}_test PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${part}_test PRIVATE
    WOOLLY_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    WOOLLY_SHARED_DIR="${CMAKE_SOURCE_DIR}/../shared"
    WOOLLY_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(${part}_test DISCOVERY_MODE PRE_TEST
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR}
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS ${part})
endfunction()
