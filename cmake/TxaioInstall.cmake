include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TXAIO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/txaio)

install(TARGETS txaio txaio_sim txaio_testutil EXPORT txaioTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY libtxaio/include/ sim/include/ testutil/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT txaioTargets NAMESPACE txaio:: DESTINATION ${TXAIO_CMAKE_DIR})

configure_package_config_file(cmake/txaioConfig.cmake.in ${PROJECT_BINARY_DIR}/txaioConfig.cmake
  INSTALL_DESTINATION ${TXAIO_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/txaioConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/txaioConfig.cmake ${PROJECT_BINARY_DIR}/txaioConfigVersion.cmake
  DESTINATION ${TXAIO_CMAKE_DIR})
