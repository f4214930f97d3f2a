// Non-rigid motion: a checkered flag waving in a travelling wave (amplitude growing toward its free edge) and a blob
// of four merging spheres that swirl and swell, in front of a textured wall; fixed camera. Nothing here moves as a
// rigid body or as a plane.
#version 3.7;
#include "colors.inc"
#include "stones.inc"
global_settings { assumed_gamma 1.0 }
light_source { <-12, 18, -20> color rgb 1.1 }
light_source { <15, 6, -20> color rgb <0.4, 0.45, 0.5> shadowless }
background { rgb <0.2, 0.3, 0.5> }
plane { z, 4 texture { T_Stone13 scale 1.5 finish { ambient 0.1 } } }
plane { y, -3 texture { pigment { checker rgb <0.3, 0.3, 0.25> rgb <0.5, 0.45, 0.35> scale 0.8 } finish { ambient 0.08 } } }
cylinder { <-4.2, -3, 0>, <-4.2, 3.2, 0>, 0.1 texture { pigment { rgb <0.6, 0.6, 0.62> } finish { specular 0.5 } } }
#declare NX = 48;
#declare NY = 28;
#declare FW = 5.2;
#declare FH = 3.0;
#declare Phase = clock * 2 * pi * 0.9;
#macro P(I, J)
  #local U = I / NX;
  #local V = J / NY;
  <-4.2 + FW * U, 3.0 - FH * V + 0.25 * U * sin(3 * U - Phase * 0.7), 0.9 * U * sin(2 * pi * 1.1 * U - Phase) + 0.2 * U * sin(4 * V + Phase)>
#end
mesh2 {
  vertex_vectors { (NX + 1) * (NY + 1)
    #declare J = 0;
    #while (J <= NY)
      #declare I = 0;
      #while (I <= NX)
        P(I, J),
        #declare I = I + 1;
      #end
      #declare J = J + 1;
    #end
  }
  uv_vectors { (NX + 1) * (NY + 1)
    #declare J = 0;
    #while (J <= NY)
      #declare I = 0;
      #while (I <= NX)
        <I / NX, 1 - J / NY>,
        #declare I = I + 1;
      #end
      #declare J = J + 1;
    #end
  }
  face_indices { NX * NY * 2
    #declare J = 0;
    #while (J < NY)
      #declare I = 0;
      #while (I < NX)
        #declare A = J * (NX + 1) + I;
        <A, A + 1, A + NX + 1>, <A + 1, A + NX + 2, A + NX + 1>,
        #declare I = I + 1;
      #end
      #declare J = J + 1;
    #end
  }
  uv_mapping
  texture {
    pigment { checker color rgb <0.9, 0.85, 0.2> color rgb <0.1, 0.35, 0.7> scale <1 / 12, 1 / 7> }
    finish { ambient 0.12 diffuse 0.8 specular 0.2 }
  }
}
blob {
  threshold 0.6
  #declare K = 0;
  #while (K < 4)
    #declare A = 2 * pi * K / 4 + clock * 2.2;
    sphere { <2.6 + 0.9 * cos(A), -1.2 + 0.7 * sin(A), 1.0 + 0.3 * sin(2 * A)>, 1.0 + 0.25 * sin(A + clock * 3), 1 }
    #declare K = K + 1;
  #end
  texture {
    pigment { granite color_map { [0 rgb <0.9, 0.4, 0.2>] [0.5 rgb <0.95, 0.8, 0.5>] [1 rgb <0.6, 0.15, 0.1>] } scale 0.5 }
    finish { ambient 0.1 specular 0.6 roughness 0.02 }
  }
}
camera {
  perspective
  location <-0.3, 0.3, -9>
  look_at <-0.3, 0.2, 0>
  right x * image_width / image_height
  angle 55
}
