# ctest driver: node generate.mjs TMP, then the C++ verifier on TMP/manifest.json.
# -DNODE=... -DJOSE_DIR=<this directory> -DVERIFIER=<program> -DWORK_DIR=<scratch dir>
# node_modules comes from `npm ci` in JOSE_DIR (scripts/test.sh runs it); without it
# this test fails rather than skips, so a missing peer is never mistaken for a pass.
foreach(var NODE JOSE_DIR VERIFIER WORK_DIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_interop.cmake: ${var} not set")
  endif()
endforeach()
if(NOT EXISTS "${NODE}" AND NOT NODE MATCHES "^[^/]+$")
  message(FATAL_ERROR "node not found (${NODE}): install Node.js 20 or newer")
endif()
if(NOT EXISTS "${JOSE_DIR}/node_modules/jose/package.json")
  message(FATAL_ERROR "${JOSE_DIR}/node_modules/jose is missing: run `npm ci` in ${JOSE_DIR}")
endif()

file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")
execute_process(COMMAND "${NODE}" "${JOSE_DIR}/generate.mjs" "${WORK_DIR}"
  WORKING_DIRECTORY "${JOSE_DIR}" RESULT_VARIABLE generated)
if(NOT generated EQUAL 0)
  message(FATAL_ERROR "generate.mjs failed (${generated})")
endif()
execute_process(COMMAND "${VERIFIER}" "${WORK_DIR}/manifest.json" RESULT_VARIABLE verified)
if(NOT verified EQUAL 0)
  message(FATAL_ERROR "jose tokens not verified as expected (${verified}); keys and tokens kept in ${WORK_DIR}")
endif()
file(REMOVE_RECURSE "${WORK_DIR}")
