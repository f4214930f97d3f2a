// In-plane rotation: the camera rolls 24 degrees about its viewing axis in one second while it creeps forward,
// seen from the left of the world, low, so the ground fills the lower half.
#version 3.7;
#include "world.inc"
camera {
  perspective
  location <0, 0, 0>
  look_at <0, 0, 1>
  right x * image_width / image_height
  angle 58
  rotate z * (-12 + 24 * clock)
  rotate x * 6
  rotate y * 28
  translate <-9.5, 1.8, -6.0 + 0.6 * clock>
}
