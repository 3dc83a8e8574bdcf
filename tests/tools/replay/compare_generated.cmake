# Runs PYTHON SCRIPT > OUTPUT and fails unless OUTPUT equals EXPECTED byte for byte.
execute_process(COMMAND ${PYTHON} ${SCRIPT} OUTPUT_FILE ${OUTPUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SCRIPT} failed (${rc})")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${OUTPUT} ${EXPECTED} RESULT_VARIABLE differ)
if(NOT differ EQUAL 0)
  message(FATAL_ERROR "${EXPECTED} is not what ${SCRIPT} writes (${OUTPUT}): regenerate it")
endif()
