# Installs the libraries, their headers, the CMake package (one export set per component) and
# a pkg-config file per library.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TXAIO_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/txaio)
set(TXAIO_PKGCONFIG_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# txaio_install_component(<export> <targets>...): installs the targets with their own export set
# (<export>.cmake in the package directory).
function(txaio_install_component export)
  install(TARGETS ${ARGN} EXPORT ${export}
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT ${export} NAMESPACE txaio:: DESTINATION ${TXAIO_CMAKE_DIR})
endfunction()

# The main package: txaio::txaio and txaio::sim (Threads, Boost, fmt).
txaio_install_component(txaioTargets txaio txaio_sim)
install(DIRECTORY libtxaio/include/ sim/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Component testutil: txaio::testutil (GoogleTest, RapidCheck).
if(TARGET txaio_testutil)
  txaio_install_component(txaioTestutilTargets txaio_testutil)
  install(DIRECTORY testutil/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
# Component replay: the txaio-replay executable as txaio::replay (no dependencies: it is
# linked statically), used by txaio_add_scenarios.
if(TARGET txaio-replay)
  txaio_install_component(txaioReplayTargets txaio-replay)
endif()

configure_package_config_file(cmake/txaioConfig.cmake.in ${PROJECT_BINARY_DIR}/txaioConfig.cmake
  INSTALL_DESTINATION ${TXAIO_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/txaioConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/txaioConfig.cmake ${PROJECT_BINARY_DIR}/txaioConfigVersion.cmake
  cmake/TxaioScenarios.cmake DESTINATION ${TXAIO_CMAKE_DIR})

include(TxaioPkgConfig)
