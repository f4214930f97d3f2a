// Fixed camera panning right by 12.4 degrees (about 240 px at 1280x720) and tilting down 2.5 degrees in one
// second; the rotations are about the camera's own centre, so this is a pure pan (no parallax from the camera).
#version 3.7;
#include "world.inc"
camera {
  perspective
  location <0, 0, 0>
  look_at <0, 0, 1>
  right x * image_width / image_height
  angle 60
  rotate x * (1.0 + 2.5 * clock)
  rotate y * (-6.2 + 12.4 * clock)
  translate <-0.5, 2.6, -9>
}
