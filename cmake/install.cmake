# `cmake --install`: headers, libvitperf_model.a and libvitperf_predict.a (their rules sit in
# model/ and predict/), the data they read at run time, and a vitperfConfig.cmake so that
# find_package(vitperf) gives vitperf::model and vitperf::predict.
include(CMakePackageConfigHelpers)

set(VITPERF_INSTALL_DATA_DIR ${CMAKE_INSTALL_DATADIR}/vitperf/data)
set(VITPERF_INSTALL_SRC_DIR ${CMAKE_INSTALL_DATADIR}/vitperf/src)
set(VITPERF_INSTALL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/vitperf)

# What the libraries read: profiles, architectures, calibrations, presets, expected errors, and
# the experiments that measure/ plans. The measured datasets stay in the source tree.
install(DIRECTORY data/hardware data/arch data/calibration data/models data/accuracy
                  data/experiments
        DESTINATION ${VITPERF_INSTALL_DATA_DIR})

install(EXPORT vitperfTargets NAMESPACE vitperf:: DESTINATION ${VITPERF_INSTALL_CMAKE_DIR})
configure_package_config_file(
  cmake/vitperfConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/vitperfConfig.cmake
  INSTALL_DESTINATION ${VITPERF_INSTALL_CMAKE_DIR}
  PATH_VARS VITPERF_INSTALL_DATA_DIR VITPERF_INSTALL_SRC_DIR CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/vitperfConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/vitperfConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/vitperfConfigVersion.cmake
        DESTINATION ${VITPERF_INSTALL_CMAKE_DIR})
