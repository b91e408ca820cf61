# SPDX-License-Identifier: GPL-3.0-or-later
"""Menu entries, so F3 search finds every main operator."""


def draw_import(self, _context):
    self.layout.operator("image_to_print.relief", text="Image as Relief / Lithophane", icon='IMAGE_DATA')
    self.layout.operator("image_to_print.trace", text="Image as Traced Solid", icon='CURVE_BEZCURVE')
    self.layout.operator("image_to_print.ai_mesh", text="Image as AI Mesh", icon='MESH_MONKEY')


def draw_add_mesh(self, _context):
    self.layout.separator()
    self.layout.operator("image_to_print.relief", text="Image as Relief / Lithophane", icon='IMAGE_DATA')
    self.layout.operator("image_to_print.ai_mesh", text="Image as AI Mesh", icon='MESH_MONKEY')


def draw_add_curve(self, _context):
    self.layout.separator()
    self.layout.operator("image_to_print.trace", text="Image as Traced Solid", icon='CURVE_BEZCURVE')


def draw_export(self, _context):
    self.layout.operator("image_to_print.export", text="Image to Print (.stl/.3mf/.obj/.glb)")


def draw_object(self, _context):
    self.layout.separator()
    self.layout.operator("image_to_print.check", text="Check Printability (Image to Print)")
    self.layout.operator("image_to_print.toolbox_check", text="Run Blender's 3D-Print Toolbox Checks")
    self.layout.operator("image_to_print.make_printable", text="Make Printable (Image to Print)")


# (menu class name, draw function)
MENUS = (
    ("TOPBAR_MT_file_import", draw_import),
    ("VIEW3D_MT_mesh_add", draw_add_mesh),
    ("VIEW3D_MT_curve_add", draw_add_curve),
    ("TOPBAR_MT_file_export", draw_export),
    ("VIEW3D_MT_object", draw_object),
)
