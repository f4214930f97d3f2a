// Optical zoom from a fixed camera: the field of view narrows from 62 to 40 degrees in one second, so the image
// scales by about 1.6 about a point right of the centre (the far columns and the cone), with the world's own motion.
#version 3.7;
#include "world.inc"
camera {
  perspective
  location <-2.5, 3.2, -8.5>
  look_at <2.0, 1.8, 6.0>
  right x * image_width / image_height
  angle 62 - 22 * clock
}
