# Install rules (ST_INSTALL; on by default for the top-level project):
#   bin/stacktab                          the CLI
#   include/stacktab/*.h                  the public headers
#   lib/libstacktab.a, lib/libstacktab.so*   (the .so with ST_BUILD_SHARED)
#   lib/pkgconfig/stacktab.pc             pkg-config (--static adds Libs.private)
#   lib/cmake/stacktab/                   find_package(stacktab 0.2): stacktab::stacktab,
#                                         stacktab::stacktab_static, stacktab::stacktab_shared
#   share/man/man1/stacktab.1             the man page
#   share/stacktab/conformance/           the conformance suite, runnable with python3 only
#   share/doc/stacktab/                   README.md, CHANGELOG.md
include(CMakePackageConfigHelpers)

set(ST_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/stacktab)
set(ST_LIB_TARGETS stacktab_ref)
if(ST_BUILD_SHARED)
  list(APPEND ST_LIB_TARGETS stacktab_shared)
endif()

install(TARGETS stacktab RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${ST_LIB_TARGETS} EXPORT stacktabTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Unspecified
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
file(GLOB ST_INSTALL_HEADERS CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/ref/include/stacktab/*.h)
install(FILES ${ST_INSTALL_HEADERS} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/stacktab)

# CMake package.
install(EXPORT stacktabTargets NAMESPACE stacktab:: FILE stacktabTargets.cmake
        DESTINATION ${ST_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/stacktabConfig.cmake.in
  ${PROJECT_BINARY_DIR}/stacktabConfig.cmake INSTALL_DESTINATION ${ST_CMAKE_DIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
# 0.x: a minor release may change the API, so 0.2 accepts 0.2.* only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/stacktabConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/stacktabConfig.cmake
              ${PROJECT_BINARY_DIR}/stacktabConfigVersion.cmake
        DESTINATION ${ST_CMAKE_DIR})

# pkg-config. Relocatable: prefix is found from the .pc file's own folder (${pcfiledir}), so
# `cmake --install build --prefix DIR`, DESTDIR staging and moved trees all give right paths.
set(ST_PC_LIBS_PRIVATE "")   # libstacktab needs only libc today
file(RELATIVE_PATH ST_PC_UP "/ST_PREFIX/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/ST_PREFIX")
string(REGEX REPLACE "/$" "" ST_PC_UP "${ST_PC_UP}")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(ST_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  set(ST_PC_PREFIX "\${pcfiledir}/${ST_PC_UP}")
endif()
foreach(v LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${v}}")
    set(ST_PC_${v} "${CMAKE_INSTALL_${v}}")
  else()
    set(ST_PC_${v} "\${prefix}/${CMAKE_INSTALL_${v}}")
  endif()
endforeach()
configure_file(${PROJECT_SOURCE_DIR}/cmake/stacktab.pc.in ${PROJECT_BINARY_DIR}/stacktab.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/stacktab.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# Man page and documents.
install(FILES ${PROJECT_SOURCE_DIR}/doc/stacktab.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/CHANGELOG.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The conformance suite as data: runner, manifest, cases, rule table, adapters, xfail lists.
set(ST_CONF_DEST ${CMAKE_INSTALL_DATADIR}/stacktab/conformance)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/conformance/run DESTINATION ${ST_CONF_DEST})
install(FILES ${PROJECT_SOURCE_DIR}/conformance/manifest.json
              ${PROJECT_SOURCE_DIR}/conformance/RULES.md
              ${PROJECT_SOURCE_DIR}/conformance/README.md
        DESTINATION ${ST_CONF_DEST})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/conformance/cases ${PROJECT_SOURCE_DIR}/conformance/xfail
        DESTINATION ${ST_CONF_DEST})
install(PROGRAMS ${PROJECT_SOURCE_DIR}/conformance/adapters/stacktab-decode.sh
                 ${PROJECT_SOURCE_DIR}/conformance/adapters/stacktab-encode.sh
        DESTINATION ${ST_CONF_DEST}/adapters)
